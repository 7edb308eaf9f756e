import { render } from 'preact';
import { App } from './app.js';
import { html } from './lib/html.js';
import { interceptLinks } from './lib/router.js';

const root = document.getElementById('app');
root.textContent = '';
interceptLinks(document.body);
render(html`<${App} />`, root);
