/**
 * Whether a URL carries user info (`https://user:pass@host/`). Such a URL is shown to every reader of its
 * agent or webhook and kept in audit entries, so credentials belong elsewhere (headers, a signing secret).
 */
export function hasUserInfo(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}
