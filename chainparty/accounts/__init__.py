"""People's accounts (issue 10 §1): the people pages organisation staff and alliance secretaries
use, everyone's profile, password change and API tokens.

Layering: this package sits above `alliances`, whose roles decide who reaches whom
(`alliances.people`). `chainparty`'s core never imports it, nor does `alliances`; the User fields
and the ApiToken model it writes live in `chainparty.models`.
"""
