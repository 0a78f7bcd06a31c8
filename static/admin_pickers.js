'use strict';
// Django's two-box pickers (filter_horizontal) draw a search icon beside each filter box: a
// span with an aria-label, which an element of no role may not have. The icon is an image
// named by that label (which, inside the box's label, names the filter box as well): it is
// given the role. Pickers are drawn once the page has loaded and again for each row added
// in the page, so each icon is seen to as it appears.
{
  const ICON = '.search-label-icon[aria-label]:not([role])';
  const named = (root) => {
    const icons = root.matches(ICON) ? [root] : root.querySelectorAll(ICON);
    for (const icon of icons) {
      icon.setAttribute('role', 'img');
    }
  };
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE) {
          named(node);
        }
      }
    }
  }).observe(document.documentElement, {childList: true, subtree: true});
}
