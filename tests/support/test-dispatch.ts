import { DEFAULT_DISPATCH_WINDOW } from '../../shared/src/task-store/dispatch-env';
import type { DispatchOptions } from '../../shared/src/task-store/task-store';

/** Dispatch passes that failed in this test file's task stores (a test that cares asserts it is empty). */
export const dispatchErrors: Error[] = [];

/** A task store's dispatch options for tests: the default window, failures kept in dispatchErrors. */
export const testDispatch: DispatchOptions = { window: DEFAULT_DISPATCH_WINDOW, onError: (error) => void dispatchErrors.push(error) };
