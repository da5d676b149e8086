/**
 * A clock for spinners and elapsed times that ticks only while something runs, so an
 * idle UI draws nothing.
 */
import { useEffect, useState } from 'react';

export function useNow(active: boolean, intervalMs = 100): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function spinnerFrame(now: number): string {
  return SPINNER[Math.floor(now / 80) % SPINNER.length] ?? '⠋';
}
