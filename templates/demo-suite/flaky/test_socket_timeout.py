"""A client with a short socket timeout talking to a server the test starts on localhost.

On loopback a reply takes a fraction of a millisecond, so a 50 ms timeout never fires on an idle
machine; added latency, a CPU-starved server thread or a stall makes it fire.
"""
import socket
import threading
import time

TIMEOUT_S = 0.05


def serve(listener):
    connection, _ = listener.accept()
    with connection:
        while data := connection.recv(64):
            connection.sendall(data.upper())


def test_server_answers_within_the_timeout():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        threading.Thread(target=serve, args=(listener,), daemon=True).start()
        with socket.create_connection(listener.getsockname(), timeout=TIMEOUT_S) as client:
            for i in range(30):
                client.sendall(b"ping %d" % i)
                assert client.recv(64) == b"PING %d" % i
                time.sleep(0.01)
