import { Alert, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { type LivePause, msUntilSaid, pauseKey, pauseText } from '../app/live-status';
import './live-paused.css';

/**
 * Says, politely, that a page's live updates are paused (see useLiveEvents): what stopped, that the console is
 * on it, and that `subject` ("The list", "This task", …) may be out of date; gone once the page is current again.
 * A pause too short to matter is not said (the first connect of a page load gets a few seconds), so that the
 * notice does not flash. It is a status inside a polite live region that stays in the page, empty while there is
 * nothing to say (so that what it says is read out when it comes; a page's own status, "The task was cancelled.",
 * stays the only one while live updates flow).
 */
export function LivePausedNotice({ pause, subject }: { pause: LivePause | null; subject: string }) {
  // The pause that has lasted long enough to be said, by its key.
  const [due, setDue] = useState<string | null>(null);
  const key = pause && pauseKey(pause);
  useEffect(() => {
    if (!pause) return;
    const timer = setTimeout(() => setDue(pauseKey(pause)), msUntilSaid(pause, Date.now()));
    return () => clearTimeout(timer);
  }, [pause]);
  const text = pause && key === due ? pauseText(pause, subject) : null;
  return (
    <div aria-live="polite" className="live-paused">
      {text && (
        <Alert color="yellow" variant="light" role="status" title={text.title}>
          <Text size="sm">{text.detail}</Text>
        </Alert>
      )}
    </div>
  );
}
