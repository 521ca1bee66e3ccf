"""How labs show things: everything the lab, attempt and comparison pages compute for display.

criteria (graded criterion rows, rubric labels), highlighting (marks on the
prompt), coach (the live prompt-anatomy panel), diff (word diff of two
prompts), policy (why a prompt was refused), attempts (numbering, polling,
status lines) and compare (criterion deltas between two attempts). Views
call these and render; they hold no presentation logic of their own.
"""
