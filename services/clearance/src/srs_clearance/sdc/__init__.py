"""Disclosure control: the rules engine (:mod:`.engine`), statistical tables and the
workbooks they come in (:mod:`.tables`, :mod:`.workbooks`), the code scan
(:mod:`.codescan`), the checks that apply them to a request's files and to a table sent
for a stateless check (:mod:`.checks`), and that check's route (:mod:`.routes`)."""
