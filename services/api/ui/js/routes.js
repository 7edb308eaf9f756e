import * as tasksList from './views/tasks-list.js';
import * as taskPage from './views/task-page.js';
import * as runsList from './views/runs-list.js';
import * as runPage from './views/run-page.js';
import * as workers from './views/workers.js';
import * as queues from './views/queues.js';
import * as problemHealth from './views/problem-health.js';

/**
 * Every view of the dashboard, in navigation order. A view module exports
 * `routes: [{ path: '/ui/things/:id', title, nav?: 'Things', View }]`; adding a view (Runs)
 * is one module and one entry here.
 */
const VIEWS = [tasksList, taskPage, runsList, runPage, problemHealth, workers, queues];

export const ROUTES = VIEWS.flatMap((view) => view.routes);
export const NAV = ROUTES.filter((route) => route.nav);
export const HOME = NAV[0].path;
