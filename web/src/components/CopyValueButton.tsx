import { Button, CopyButton, type ButtonProps } from '@mantine/core';
import './secret-once.css';

/**
 * Copies a value to the clipboard; the button says so ("Copied") for a few seconds, and a polite live region
 * tells screen readers too.
 */
export function CopyValueButton({
  value,
  label,
  copiedText = 'Copied',
  ...props
}: { value: string; label: string; copiedText?: string } & Omit<ButtonProps, 'children'>) {
  return (
    <CopyButton value={value} timeout={4000}>
      {({ copied, copy }) => (
        <>
          <Button variant={copied ? 'light' : 'default'} color={copied ? 'green' : undefined} onClick={copy} {...props}>
            {copied ? copiedText : label}
          </Button>
          <span className="sr-only" role="status">
            {copied ? `${copiedText} to the clipboard` : ''}
          </span>
        </>
      )}
    </CopyButton>
  );
}
