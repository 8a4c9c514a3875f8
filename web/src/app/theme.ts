import { createTheme } from '@mantine/core';

/**
 * The default theme's values are in @mantine/core/styles.css; anything changed here must be mirrored as CSS
 * variables in app.css (the provider injects no style element, for the CSP).
 */
export const theme = createTheme({});
