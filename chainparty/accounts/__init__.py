"""Everyone's own account (issue 10 §1): profile, password change, API tokens (issued, revoked,
and the DRF authentication that reads them), the token login and one's sessions.

Layering: nothing here reads roles, enterprises or departments. The people pages, where
organisation staff and alliance secretaries manage other people's accounts, need those and live in
`alliances.people`; the User fields and the ApiToken model live in `chainparty.models`.
"""
