"""Every file the documentation names is in the repository.

    doc_references.py SOURCE_ROOT

Reads README.md and docs/*.md. A Markdown file's name (`guide.md`,
`docs/design.md`) must name a Markdown file of the repository: relative to
the page, to the root, or by its base name. A link's target (`[text](path)`,
not a URL) must exist relative to the page. Prints each reference that does
not, with the page and line, and exits 1 if there is one."""

import glob
import os
import re
import sys

root = os.path.abspath(sys.argv[1])
pages = ["README.md"] + sorted(os.path.relpath(p, root)
                               for p in glob.glob(os.path.join(root, "docs", "*.md")))
markdown = set()
for d, _, names in os.walk(root):
    if "/build" in d[len(root):] or "/.git" in d[len(root):]:
        continue
    markdown.update(os.path.relpath(os.path.join(d, n), root) for n in names if n.endswith(".md"))
basenames = {os.path.basename(p) for p in markdown}

bad = 0
for page in pages:
    text = open(os.path.join(root, page), encoding="utf-8").read()
    here = os.path.dirname(page)

    def where(m):
        return "%s:%d" % (page, text.count("\n", 0, m.start()) + 1)

    # A Markdown file named in prose, a code span or a link.
    for m in re.finditer(r"(?<![\w./-])([\w./-]*\w\.md)\b", text):
        name = m.group(1)
        if (os.path.normpath(os.path.join(here, name)) in markdown or os.path.normpath(name) in markdown
                or ("/" not in name and name in basenames)
                # an installed copy: share/doc/allocsel/NAME.md
                or (name.startswith("share/doc/allocsel/") and os.path.basename(name) in basenames)):
            continue
        print("%s: names %s, which the repository does not have" % (where(m), name))
        bad = 1
    # A link's target.
    for m in re.finditer(r"\[[^\]\n]+\]\(([^)#\s]+)(#[^)\s]*)?\)", text):
        target = m.group(1)
        if re.match(r"[a-z]+:", target):
            continue
        if not os.path.exists(os.path.join(root, here, target)):
            print("%s: links to %s, which the repository does not have" % (where(m), target))
            bad = 1
print("checked %d pages" % len(pages))
sys.exit(bad)
