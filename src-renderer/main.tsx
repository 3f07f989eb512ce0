/**
 * Renderer entry: choose the transport (Electron IPC or browser mode's HTTP+WebSocket), set up
 * i18n in the core's language, and render the app.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../shared/i18n/reasons.ts';
import { App } from './app/App.tsx';
import { initI18n } from './i18n/index.ts';
import { NoSecret } from './app/NoSecret.tsx';
import { chooseClient } from './transport/client.ts';
import './styles.css';

async function start(): Promise<void> {
  const root = document.getElementById('root');
  if (!root) throw new Error('no #root element');
  const choice = chooseClient(window);
  let language: Language = DEFAULT_LANGUAGE;
  if (choice.ok) {
    // Start in the terminal's language so the first screen does not flicker from one to the other.
    const status = await choice.client.send('status:get', {}).catch(() => null);
    if (status?.ok && LANGUAGES.includes(status.value.language)) language = status.value.language;
  } else {
    const preferred = navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
    language = preferred;
  }
  await initI18n(language);
  createRoot(root).render(<StrictMode>{choice.ok ? <App client={choice.client} /> : <NoSecret />}</StrictMode>);
}

start().catch((error: unknown) => {
  console.error(error);
  document.body.textContent = `gcterm: ${error instanceof Error ? error.message : String(error)}`;
});
