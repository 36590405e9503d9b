"""The small Rui'an city the front-end tests share: one town's grid, room, station and actors."""

from __future__ import annotations

from ruian_governance import Actor, builtin_engine, ruian_preset

CITY = ruian_preset(villages=23, grids=23, micro_grids=0, grid_workers=23, micro_grid_workers=0)
TOWN = CITY.towns[0]
GRID = f"{TOWN.id}.v001.g01"
ROOM = CITY.command_room_of(TOWN.id)
STATION = CITY.stations_of(TOWN.id, station_kind="market_supervision_office")[0]
OPERATOR = Actor.of(
    CITY, CITY.people_of(ROOM.id, role="command_room_operator")[0].id, "command_room_operator"
)
WORKER = Actor.of(CITY, CITY.people_of(GRID, role="grid_worker")[0].id, "grid_worker")
ENGINE = builtin_engine(CITY)
