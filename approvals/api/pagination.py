"""Every API list is paginated: {count, next, previous, results}, at most 100 a page.

Unpaginated, one clerk's six parallel calls at 31,000 proposals (27.7 MB each)
stalled the whole site; a page is now bounded whatever the data size.
"""

from rest_framework.pagination import PageNumberPagination

from approvals.selectors import IdsFirstPaginator


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


class ProposalPages(Pages):
    """The proposal list: a deep page joins only its own rows (selectors.IdsFirstPaginator)."""

    django_paginator_class = IdsFirstPaginator
