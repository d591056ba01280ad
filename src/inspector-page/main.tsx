/** The inspector's page, bundled by scripts/inspector-page.js into dist/inspector/. */
import './inspector.css';
import { render } from 'preact';
import { App } from './App.js';

const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
