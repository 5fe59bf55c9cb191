// Demo analytics stub: records page views locally, sends nothing.
window.dataLayer = window.dataLayer || [];
window.dataLayer.push({ event: "page_view", path: location.pathname });
