"""The access matrix's table has an entry for every route of the project, and no other."""

from tests.access_routes import ROUTES, route_names


def test_every_route_has_an_entry():
    assert sorted(set(route_names()) - set(ROUTES)) == []
    assert sorted(set(ROUTES) - set(route_names())) == []
