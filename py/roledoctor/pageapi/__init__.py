"""The page adapter: what the web worker's methods (roledoctor.webapi.handle) do.

boxes.py    the page's input boxes (one table), the request's inputs, UTF-16 offsets
view.py     the page's view of a diagnosis (diagnose_for_page), what each box holds (describe)
routing.py  dropped files to boxes, by content
split.py    a pasted main.tf split into the boxes its blocks belong to
session.py  the redaction map of this page session
prompt.py   the redacted LLM prompt
review.py   the model's answer, read and checked by the engine
caches.py   parser tables built at build time and installed at start-up; warming
bench.py    diagnosis time inside the worker
"""
