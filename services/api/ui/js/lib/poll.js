import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/**
 * Loads `load(signal)` now and every `intervalMs` while the page is visible (0 = once), keeping
 * the last good data on screen when a later poll fails. `refresh()` loads again at once.
 */
export function usePoll(load, intervalMs, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const latest = useRef(load);
  latest.current = load;
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  const depsKey = JSON.stringify(deps);
  const shownKey = useRef(depsKey);

  useEffect(() => {
    let stopped = false;
    let timer = null;
    let controller = null;
    const run = async () => {
      controller = new AbortController();
      try {
        const data = await latest.current(controller.signal);
        if (!stopped) setState({ data, error: null, loading: false, updatedAt: new Date() });
      } catch (error) {
        if (!stopped && error.name !== 'AbortError') setState((s) => ({ data: s.data, error, loading: false }));
      }
      if (!stopped && intervalMs > 0) timer = setTimeout(tick, intervalMs);
    };
    const tick = () => (document.hidden ? (timer = setTimeout(tick, intervalMs)) : run());
    // New inputs (another task, other filters) must not show the previous answer meanwhile.
    const fresh = shownKey.current !== depsKey;
    shownKey.current = depsKey;
    setState((s) => (fresh ? { data: null, error: null, loading: true } : { ...s, loading: true }));
    run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
    };
  }, [depsKey, intervalMs, tick]);

  return { ...state, refresh };
}
