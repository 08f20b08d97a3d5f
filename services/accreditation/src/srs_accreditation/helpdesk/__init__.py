"""The Research Support Helpdesk: researchers' requests, the teams' queues, one thread each."""
