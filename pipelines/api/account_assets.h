#pragma once
// The account pages' only script and style sheet, served from
// /account/static/ (the Content-Security-Policy allows nothing else, so no
// inline script or style anywhere). The script: the "Copy" button next to a
// new token (Clipboard API, with a select-and-copy fallback) and a
// confirmation before every form marked data-confirm (revoke).

#include <string_view>

namespace zp::api {

inline constexpr std::string_view kAppJs = R"js('use strict';
document.addEventListener('DOMContentLoaded', () => {
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
  for (const button of document.querySelectorAll('button[data-copy]')) {
    button.addEventListener('click', async () => {
      const field = document.getElementById(button.dataset.copy);
      const status = document.getElementById('copy-status');
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
      } catch (e) {
        document.execCommand('copy');
      }
      if (status) status.textContent = 'Copied. Keep it somewhere safe.';
    });
  }
  const secret = document.getElementById('new-token');
  if (secret) secret.focus();
});
)js";

inline constexpr std::string_view kAppCss = R"css(
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #fafafa; }
header { background: #16324f; color: #fff; padding: .5rem 1rem; }
header nav { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
header a, header .who { color: #fff; }
.brand { font-weight: bold; margin-right: 1rem; }
.who { margin-left: auto; }
main { padding: 1rem 2rem; max-width: 72rem; }
table { border-collapse: collapse; margin: 1rem 0 2rem; width: 100%; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
th, td { border-bottom: 1px solid #ccc; padding: .35rem .5rem; text-align: left; vertical-align: top; }
td.value { font-family: ui-monospace, monospace; word-break: break-all; }
.mark { font-weight: bold; padding: .1rem .4rem; border-radius: .25rem; }
.mark.ok { color: #fff; background: #1e7b34; }
.mark.bad { color: #fff; background: #b3261e; }
.mark.unknown { background: #ddd; }
.stack { display: flex; flex-direction: column; gap: .35rem; max-width: 32rem; }
fieldset { border: 1px solid #ccc; display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
fieldset > label, fieldset > select, fieldset > textarea, fieldset > input { flex-basis: 100%; }
fieldset fieldset > label { flex-basis: auto; }
form.inline { display: inline; }
button { font: inherit; padding: .3rem .8rem; cursor: pointer; }
button.danger { color: #b3261e; }
:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
.error { color: #b3261e; font-weight: bold; }
.warning { background: #fff4ce; border-left: 4px solid #f5a623; padding: .5rem; }
.created { border: 2px solid #1e7b34; padding: 0 1rem 1rem; margin-bottom: 1rem; background: #fff; }
input.secret { font-family: ui-monospace, monospace; width: 28rem; max-width: 100%; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 1; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
)css";

}  // namespace zp::api
