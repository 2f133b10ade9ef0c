// Compiles assets/scss/app.scss to app.css and app-rtl.css. Run by scripts/build_assets.py,
// which passes a JSON job on standard input:
//
//   {"entry": "…/app.scss", "brand": "<Sass source of the portal:brand module>",
//    "loadPaths": ["…/node_modules"], "outDir": "…"}
//
// and reads a JSON report from standard output. Problems go to standard error, exit code 1.
//
// Steps: Sass (compressed, warnings from GOV.UK Frontend silenced with quietDeps), then
// PostCSS removes the GOV.UK crown and crest rules that GOV.UK Frontend's footer and header
// still carry, then rtlcss flips the result for right-to-left pages.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import postcss from "postcss";
import rtlcss from "rtlcss";
import * as sass from "sass";

// Words that mark GOV.UK-only branding: the crown and the royal crest.
const GOVUK_ONLY = /crown|crest/i;

function readJob() {
  return JSON.parse(readFileSync(0, "utf8"));
}

function brandImporter(source) {
  return {
    canonicalize(url) {
      return url === "portal:brand" ? new URL("portal:brand") : null;
    },
    load() {
      return { contents: source, syntax: "scss" };
    },
  };
}

// PostCSS plugin: drop rules whose selector or declarations refer to the GOV.UK crown or
// crest; then drop rules and at-rules left empty.
function stripGovukOnly(report) {
  return {
    postcssPlugin: "portal-strip-govuk-only",
    OnceExit(root) {
      root.walkRules((rule) => {
        if (GOVUK_ONLY.test(rule.selector)) {
          report.removedRules.push(rule.selector);
          rule.remove();
        }
      });
      // A rule that paints the crest (e.g. the footer's copyright logo) goes as a whole:
      // removing only its image would leave a block of solid colour behind.
      // Other rules for the same selector (e.g. its forced-colours variant) go with it.
      const painters = new Set();
      root.walkDecls((decl) => {
        if (GOVUK_ONLY.test(decl.value) && decl.parent && decl.parent.type === "rule") {
          painters.add(decl.parent.selector);
        }
      });
      root.walkRules((rule) => {
        if (painters.has(rule.selector)) {
          report.removedRules.push(rule.selector);
          rule.remove();
        }
      });
      let removed;
      do {
        removed = 0;
        root.walk((node) => {
          if ((node.type === "rule" || node.type === "atrule") && node.nodes && node.nodes.length === 0) {
            node.remove();
            removed += 1;
          }
        });
      } while (removed > 0);
    },
  };
}
stripGovukOnly.postcss = true;

function main() {
  const job = readJob();
  const report = { warnings: [], removedRules: [] };

  const result = sass.compile(job.entry, {
    style: "compressed",
    sourceMap: false,
    loadPaths: job.loadPaths,
    importers: [brandImporter(job.brand)],
    // Deprecation warnings from GOV.UK Frontend's own @import-based Sass are not ours to fix
    quietDeps: true,
    logger: {
      warn(message, { deprecation, span }) {
        const where = span && span.url ? ` (${span.url.pathname}:${span.start.line + 1})` : "";
        report.warnings.push(`${deprecation ? "deprecation: " : ""}${message}${where}`);
      },
      debug(message) {
        report.warnings.push(`debug: ${message}`);
      },
    },
  });

  const ltr = postcss([stripGovukOnly(report)]).process(result.css, { from: undefined }).css;
  const rtl = postcss([rtlcss()]).process(ltr, { from: undefined }).css;

  writeFileSync(join(job.outDir, "app.css"), ltr);
  writeFileSync(join(job.outDir, "app-rtl.css"), rtl);
  report.versions = { sass: sass.info.split("\t")[1] ?? sass.info };
  process.stdout.write(JSON.stringify(report));
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error && error.sassMessage ? error.toString() : error?.stack ?? error}\n`);
  process.exit(1);
}
