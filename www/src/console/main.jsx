// The interviewer console's entry (console.html): the whole app is Console.jsx.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import Console from './Console.jsx';
import './console.css';

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <Console />
  </StrictMode>,
);
