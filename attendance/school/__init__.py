"""One school, many classrooms: a shared record on PostgreSQL, every laptop still working offline."""
