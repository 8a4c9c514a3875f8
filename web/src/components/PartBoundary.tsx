import { Component, type ReactNode } from 'react';
import { ErrorState } from './ErrorState';
import { codeNotLoaded, forgetFailedImport, isCodeNotLoaded } from './lazy-retrying';

interface PartBoundaryProps {
  /** What the part is, for its notice ("The charts"). */
  what: string;
  children: ReactNode;
}

/**
 * A part of a page that failed (its code, loaded with {@link lazyRetrying}, could not be fetched, or it threw):
 * a notice in its place with "Try again", the rest of the page still usable. It tries again by itself when the
 * browser comes back online.
 */
export class PartBoundary extends Component<PartBoundaryProps, { error: unknown }> {
  override state: { error: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override componentDidCatch(error: unknown) {
    // Shown: code that failed to load is imported again when the part is next rendered.
    forgetFailedImport(error);
  }

  override componentDidMount() {
    if (this.state.error) window.addEventListener('online', this.retry);
  }

  override componentDidUpdate(_props: PartBoundaryProps, previous: { error: unknown }) {
    if (this.state.error && !previous.error) window.addEventListener('online', this.retry);
    if (!this.state.error && previous.error) window.removeEventListener('online', this.retry);
  }

  override componentWillUnmount() {
    window.removeEventListener('online', this.retry);
  }

  private readonly retry = () => this.setState({ error: null });

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <ErrorState
        title={`${this.props.what} could not be shown`}
        error={error}
        fallbackMessage={isCodeNotLoaded(error) ? codeNotLoaded('Their code') : undefined}
        onRetry={this.retry}
      />
    );
  }
}
