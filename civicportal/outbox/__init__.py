"""Work queued after a commit, kept until it is done.

A request that commits and then queues a task loses that task when the broker loses it (Redis
restarted without its data, the broker unreachable at that instant, a worker killed mid-task).
``queue_after_commit`` writes the task into ``QueuedTask`` inside the request's transaction and
sends it once the transaction commits; the row is deleted when the task succeeds, and the sweep
(every minute) sends again whatever is still there after ``OUTBOX_RETRY_SECONDS``. So the
database, not the broker, is the source of truth for post-commit work, as it is for the SLA
timers. Every task queued this way must be safe to run twice (the portal's tasks are).
"""
