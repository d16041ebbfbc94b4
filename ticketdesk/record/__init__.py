"""The ticket record: the floor every capability stands on, beneath them all like the models. The one path
a ticket changes by (changes.py), the queries that list and count tickets (queries.py), finding or adding a
requester (requesters.py), and the label vocabulary: which fields are labels and who set them (labels.py).
It imports only the kernel; no capability imports another's internals to reach these."""
