import { useEffect, useState } from 'react';

/** The time now, refreshed every `everyMs`: for what changes with the clock ("3 min ago", fires still ahead). */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
