// Loaded (not inline: the Content Security Policy allows only our own files) as the first thing in <body>, so
// GOV.UK Frontend's styles for scripted components apply before the page is drawn; app.js then sets them up.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
