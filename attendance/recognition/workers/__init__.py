"""Recognition worker processes: the pool a session or a roll call uses (:mod:`.pool`), one
worker's handle and its entry point (:mod:`.process`, :mod:`.worker_main`), and on Linux the
zygote they are forked from (:mod:`.zygote`, :mod:`.zygote_main`)."""
