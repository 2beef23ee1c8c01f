"""The room controller: the third layer on the device side (codec → driver → room).

A room from the rooms file names its devices by role, its camera positions and its scenes
(ordered steps with timeouts and a failure policy). `RoomController` supervises every device
(polls at the protocol's pace, keeps and pushes a normalised status, re-applies what a scene
set when a device drifts), runs scenes and direct device commands, and records who did what;
`Scheduler` runs the start and end scenes around the classes booked in a room. Nothing here
knows a wire protocol: only the facades of devices/drivers/base.py.
"""
