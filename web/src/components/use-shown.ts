import { type RefObject, useEffect, useRef } from 'react';

/** Whether the component is still on the page: for what an answer that came late should no longer do. */
export function useShown(): RefObject<boolean> {
  const shown = useRef(true);
  useEffect(() => {
    shown.current = true;
    return () => {
      shown.current = false;
    };
  }, []);
  return shown;
}
