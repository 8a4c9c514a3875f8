import { Text } from '@mantine/core';
import { useLayoutEffect, useRef } from 'react';
import type { OutputStream } from './task-output';

const numberFormat = new Intl.NumberFormat('en');

/**
 * A running attempt's output as it arrives, as text (never HTML). The text itself is not a live region (a
 * screen reader would read every few words); a polite status says once per attempt that output is arriving.
 * Kept scrolled to the end while the reader is there.
 */
export function StreamingOutput({ stream }: { stream: OutputStream }) {
  const box = useRef<HTMLPreElement>(null);
  const following = useRef(true);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && following.current) el.scrollTop = el.scrollHeight;
  }, [stream.text]);

  return (
    <section aria-label="Output so far">
      <Text fw={600} size="sm">
        Output so far (attempt {stream.attempt})
      </Text>
      <p className="task-stream-status" role="status">
        {`Receiving the output of attempt ${stream.attempt}; the whole output is shown when the task ends.`}
      </p>
      {(stream.joinedLate || stream.dropped > 0) && (
        <Text size="xs" c="dimmed">
          {stream.dropped > 0
            ? `Showing the last ${numberFormat.format(stream.text.length)} characters; earlier ones are left out here.`
            : 'The attempt had begun before this page opened: its first words are not shown here.'}
        </Text>
      )}
      <pre
        ref={box}
        className="task-stream"
        aria-busy="true"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          following.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {stream.text}
      </pre>
    </section>
  );
}
