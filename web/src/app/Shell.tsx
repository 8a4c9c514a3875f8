import { Anchor, Burger, Button, Group, Loader } from '@mantine/core';
import { Suspense, useRef, useState } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { useFocusHeadingAfterNavigation } from './focus-after-navigation';
import { NAV_ITEMS } from './nav';
import { useMe, useSession } from './session';

/**
 * The signed-in frame: header with the user and sign-out, navigation, and the page. On a narrow screen the
 * navigation is behind a menu button, closed until opened, and closes again once a page is chosen.
 */
export function Shell() {
  const me = useMe();
  const { signOut } = useSession();
  const [signingOut, setSigningOut] = useState(false);
  // The page the menu was opened on: it is open only there, so choosing a page closes it.
  const { pathname } = useLocation();
  const [openOn, setOpenOn] = useState<string | null>(null);
  const menuOpen = openOn === pathname;
  const setMenuOpen = (open: boolean) => setOpenOn(open ? pathname : null);
  const menuButton = useRef<HTMLButtonElement>(null);
  // A submit that went on to another page took its button away: focus goes to the new page's heading.
  const main = useRef<HTMLElement>(null);
  useFocusHeadingAfterNavigation(main);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="shell-header">
        <Group gap="xs" wrap="nowrap">
          <Burger
            ref={menuButton}
            hiddenFrom="sm"
            size="sm"
            opened={menuOpen}
            onClick={() => setMenuOpen(!menuOpen)}
            aria-label="Menu"
            aria-expanded={menuOpen}
            aria-controls="main-nav"
          />
          <Link to="/" className="shell-brand">
            YMERA
          </Link>
        </Group>
        <Group gap="sm" wrap="nowrap" className="shell-user">
          <Anchor
            component={Link}
            to="/profile"
            size="sm"
            className="truncate"
            title={`${me.name} (${me.role})`}
            aria-label={`Profile: ${me.name} (${me.role})`}
          >
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
      <nav
        className="shell-nav"
        id="main-nav"
        aria-label="Main"
        data-open={menuOpen || undefined}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && menuOpen) {
            setMenuOpen(false);
            menuButton.current?.focus();
          }
        }}
      >
        <ul>
          {NAV_ITEMS.filter((item) => item.visible?.(me) ?? true).map((item) => (
            <li key={item.to}>
              <NavLink to={item.to} end={item.to === '/'} onClick={() => setMenuOpen(false)}>
                {item.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main className="shell-main" id="main" tabIndex={-1} ref={main}>
        <Suspense fallback={<Loader role="progressbar" aria-label="Loading" />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
