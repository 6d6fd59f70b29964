import type { ComponentType } from 'preact';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { App } from './App.js';
import './style.css';

/** `#fleet` is the fleet view, loaded on demand (its planner is not part of the single-VM page's script). */
function Root() {
  const [hash, setHash] = useState(location.hash);
  const [Fleet, setFleet] = useState<ComponentType | undefined>(undefined);
  useEffect(() => {
    const f = () => setHash(location.hash);
    addEventListener('hashchange', f);
    return () => removeEventListener('hashchange', f);
  }, []);
  useEffect(() => {
    if (hash === '#fleet' && !Fleet) void import('./FleetView.js').then((m) => setFleet(() => m.FleetView));
  }, [hash, Fleet]);
  if (hash === '#fleet') return Fleet ? <Fleet /> : <p role="status">Loading the fleet view…</p>;
  return <App />;
}

render(<Root />, document.getElementById('app')!);
