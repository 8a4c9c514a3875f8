import { createTheme } from '@mantine/core';

/**
 * The default theme's values are in @mantine/core/styles.css; anything changed here must be mirrored as CSS
 * variables in app.css (the provider injects no style element, for the CSP).
 */
export const theme = createTheme({
  components: {
    // A dialog's title bar is a `<header>` by default, which, outside any sectioning element of the page, is a
    // second banner landmark beside the console's own header while the dialog is open.
    ModalHeader: { defaultProps: { component: 'div' } },
    // The show/hide button of a password is out of the tab order by default: keyboard users could not check
    // what they typed.
    PasswordInput: { defaultProps: { visibilityToggleFocusable: true } },
    // A table wider than the window shows its scroll bar whenever it has more to show, not only on hover: on a
    // phone nothing else says the columns go on past the edge.
    TableScrollContainer: { defaultProps: { scrollAreaProps: { type: 'auto' } } },
  },
});
