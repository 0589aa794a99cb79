"""The workload of `make load`: coordinators of several organisations log in
through the login form and then browse without pausing, each request as soon
as the previous one is answered.

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
from locust import HttpUser, constant, task

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


class Coordinator(HttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        # Logged in with a session of its own, whose cookies locust's then
        # takes over: not counted in the figures, since the password hash
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
            self.client.cookies.update(session.cookies)

    @task
    def browse(self) -> None:
        pages = self.coordinator["pages"]
        (name,) = random.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))
        self.client.get(random.choice(pages[name]), name=name)
