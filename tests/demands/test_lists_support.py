"""Builders shared by the lists tests (resources, policies, needs to match, PDF bytes)."""

import itertools

from django.core.files.uploadedfile import SimpleUploadedFile

from demands.models import Need, Policy
from demands.services import lists as services

_numbers = itertools.count(1)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_file(name="政策原文.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_resource(user, *, enterprise=None, department=None, **fields):
    values = {
        "category": "capacity",
        "title": "闲置产能",
        "description": "可承接外协加工",
        "quantity": "100台/月",
        **fields,
    }
    return services.resource_create(user=user, enterprise=enterprise, department=department, **values)


def make_policy(user, department, *, publish=False, categories=("finance",), **fields):
    values = {"title": "测试政策", "summary": "面向中小企业的扶持政策", **fields}
    policy = services.policy_create(user=user, department=department, categories=categories, **values)
    if publish:
        services.policy_publish(policy=policy, user=user)
        policy.refresh_from_db()
    return policy


def make_need(enterprise, alliance, *, category=Need.Category.MARKET, state=Need.State.ACCEPTED, **fields):
    """A need row for matching tests (the needs workflow has its own tests)."""
    values = {
        "title": "需求",
        "description": "",
        "contact_name": "联系人",
        "contact_phone": "13800000000",
        **fields,
    }
    return Need.objects.create(
        number=f"XQ-T-{next(_numbers):06d}",
        enterprise=enterprise,
        alliance=alliance,
        region=enterprise.region,
        category=category,
        state=state,
        **values,
    )


def published(policy):
    return Policy.objects.get(pk=policy.pk).state == Policy.State.PUBLISHED
