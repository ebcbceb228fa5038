"""Drill mode: the vault's interview questions as a question bank (practice page, Anki deck, cheat sheets).

questions.py  parse every ``> [!question]`` callout of a note (engine-neutral: vault text in, records out)
checks.py     ``make check`` rules: questions without id (error), duplicates (error), without key (warning)
add_ids.py    one-off script: give every question callout a stable ``^q-…`` id and fold it
rendered.py   the rendered HTML of each question (title, key) taken from a built page
bank.py       the question bank JSON the practice page reads
anki.py       the Anki decks (genanki), whole vault and per section
cheatsheet.py the printable cheat sheet per section
site.py       the thin glue the MkDocs hooks call
"""
