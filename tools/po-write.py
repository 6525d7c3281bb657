#!/usr/bin/env python3
"""Appends translations to a po/LANG/AREA.po file (creating it with a header): a helper for
translators who work from a table. Usage: tools/po-write.py po/id/frame.po < pairs.tsv
where each input line is MSGID<TAB>MSGSTR (with \\n for a newline). Existing msgids are kept."""
import os
import sys

def quote(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n') + '"'

path = sys.argv[1]
lang = os.path.basename(os.path.dirname(path))
seen = set()
if os.path.exists(path):
    for line in open(path, encoding='utf-8'):
        if line.startswith('msgid "') and line.strip() != 'msgid ""':
            seen.add(line[len('msgid '):].strip())
out = open(path, 'a', encoding='utf-8')
if not seen and os.path.getsize(path) == 0:
    out.write('msgid ""\nmsgstr ""\n"Project-Id-Version: akar\\n"\n"PO-Revision-Date: 2026-11-28 00:00+0000\\n"\n'
              '"Last-Translator: akar <akar@localhost>\\n"\n"Language-Team: akar\\n"\n"Language: %s\\n"\n'
              '"MIME-Version: 1.0\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
              '"Content-Transfer-Encoding: 8bit\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n' % lang)
for line in sys.stdin:
    line = line.rstrip('\n')
    if not line or line.startswith('#'):
        continue
    msgid, msgstr = line.split('\t', 1)
    msgid = msgid.replace('\\n', '\n')
    msgstr = msgstr.replace('\\n', '\n')
    if quote(msgid) in seen:
        continue
    seen.add(quote(msgid))
    out.write('\nmsgid %s\nmsgstr %s\n' % (quote(msgid), quote(msgstr)))
