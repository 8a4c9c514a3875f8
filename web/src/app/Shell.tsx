import { Anchor, Button, Group, Loader } from '@mantine/core';
import { Suspense, useState } from 'react';
import { Link, NavLink, Outlet } from 'react-router';
import { NAV_ITEMS } from './nav';
import { useMe, useSession } from './session';

/** The signed-in frame: header with the user and sign-out, navigation, and the page. */
export function Shell() {
  const me = useMe();
  const { signOut } = useSession();
  const [signingOut, setSigningOut] = useState(false);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="shell-header">
        <Link to="/" className="shell-brand">
          YMERA
        </Link>
        <Group gap="sm">
          <Anchor component={Link} to="/profile" size="sm" aria-label={`Profile: ${me.name} (${me.role})`}>
            {me.name} ({me.role})
          </Anchor>
          <Button
            variant="default"
            size="xs"
            loading={signingOut}
            onClick={() => {
              setSigningOut(true);
              void signOut().finally(() => setSigningOut(false));
            }}
          >
            Sign out
          </Button>
        </Group>
      </header>
      <nav className="shell-nav" aria-label="Main">
        <ul>
          {NAV_ITEMS.filter((item) => item.visible?.(me) ?? true).map((item) => (
            <li key={item.to}>
              <NavLink to={item.to} end={item.to === '/'}>
                {item.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main className="shell-main" id="main" tabIndex={-1}>
        <Suspense fallback={<Loader role="progressbar" aria-label="Loading" />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
