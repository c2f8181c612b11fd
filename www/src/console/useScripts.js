// The scripts directory as the server sees it (GET /api/v1/scripts): name, hash, whether it compiles
// and the compile error. Loaded once per page that needs it.
import { useEffect, useState } from 'react';

export function useScripts(api) {
  const [state, setState] = useState({ scripts: null, error: null });
  useEffect(() => {
    let live = true;
    api.scripts().then(
      (list) => { if (live) setState({ scripts: Array.isArray(list) ? list : [], error: null }); },
      (error) => { if (live) setState({ scripts: [], error }); },
    );
    return () => { live = false; };
  }, [api]);
  return state;
}
