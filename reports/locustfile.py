"""The workload of `make load`: coordinators of several organisations log in
through the login form and then browse without pausing, each request as soon
as the previous one is answered. Every answer other than a 200 counts as an
error.

Started by `manage.py bench --load`, which writes the coordinators, their
password and the pages each may open to the JSON file in BENCH_LOAD_PLAN.
Needs locust only (`pip install '.[load]'`), not Django."""

import itertools
import json
import os
import random
import re
from pathlib import Path

import requests
from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

PLAN = json.loads(Path(os.environ["BENCH_LOAD_PLAN"]).read_text())
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# How often a coordinator opens each page, relative to the others: mostly the
# landing page, lists and the families and koppelingen in them.
WEIGHTS = {
    "dashboard": 6,
    "vraaggezinnen": 3,
    "steungezinnen": 2,
    "koppelingen": 3,
    "vraaggezin": 5,
    "koppeling": 5,
    "suggesties": 2,
    "screening": 2,
    "agenda": 2,
    "rapportage (html)": 1,
}
# Each new simulated user takes the next coordinator, round the list.
coordinators = itertools.cycle(PLAN["coordinators"])


# FastHttpUser rather than HttpUser: about 2 instead of 3.5 ms of CPU per
# request, on the same two cores as the server it measures.
class Coordinator(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        # Logged in with a session of its own, whose cookies locust's client
        # then takes over: not counted in the figures, since the password hash
        # (Argon2) is slow on purpose and each user logs in only once.
        self.coordinator = next(coordinators)
        login = f"{self.host}/inloggen/"
        with requests.Session() as session:
            form = session.get(login)
            response = session.post(
                login,
                data={
                    "username": self.coordinator["email"],
                    "password": PLAN["password"],
                    "csrfmiddlewaretoken": CSRF_TOKEN.search(form.text).group(1),
                },
            )
            if "/inloggen/" in response.url:
                raise RuntimeError(f"inloggen mislukt voor {self.coordinator['email']}")
            for cookie in session.cookies:
                self.client.cookiejar.set_cookie(cookie)

    @task
    def browse(self) -> None:
        pages = self.coordinator["pages"]
        (name,) = random.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))
        # Redirects are not followed: a page that sends the coordinator
        # elsewhere (the login, the code step) did not answer, whatever the
        # page at the end of it says.
        with self.client.get(
            random.choice(pages[name]), name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
