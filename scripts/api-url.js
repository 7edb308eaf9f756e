// Where the client scripts find the api, in one place: --api wins, then API_URL, then PORT (the
// variable the api itself listens on, as `npm start` passes it), then the default port 8001.
'use strict';

/** The api's base URL from the environment: API_URL, else http://127.0.0.1:$PORT (8001). */
function defaultApiUrl(env) {
  if (env.API_URL) return env.API_URL.replace(/\/+$/, '');
  return `http://127.0.0.1:${env.PORT || '8001'}`;
}

module.exports = { defaultApiUrl };
