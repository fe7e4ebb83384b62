"""Login security (issue 10 §2.1-2.4): password rules and history, lockout after failed logins
(django-axes), idle and absolute session limits, a second factor (django-otp), and the audit
records of all of them."""
