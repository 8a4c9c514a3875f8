import '@mantine/core/styles.css';
import './app/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { keepFocusOnBusyButtons } from './app/busy-button-focus';

keepFocusOnBusyButtons();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// Web Vitals load after the first render, outside the first-load bundle.
void import('./app/web-vitals').then(({ reportWebVitals }) => reportWebVitals());
