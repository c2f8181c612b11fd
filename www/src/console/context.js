// What every console page needs from the shell: the API, who is signed in, the WebSocket and clipboard
// (tests inject doubles), and the hash router's navigate.
import { createContext, useContext } from 'react';

export const ConsoleContext = createContext(null);

export function useConsole() {
  return useContext(ConsoleContext);
}

export const isAdmin = (me) => me?.role === 'admin';
