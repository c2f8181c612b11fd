// Mounts the spec's example as-is (no StrictMode: the example opens its socket in an effect and a
// development double-mount is not what the spec describes).
import { createRoot } from 'react-dom/client';
import InterviewChatbot from './InterviewChatbot.jsx';

createRoot(document.getElementById('root')).render(<InterviewChatbot />);
