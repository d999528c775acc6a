# Loads N generated documents (~300 bytes) into index `bench` through a router: load.py URL KEY_FILE N
import json, random, sys, urllib.request, time
url = sys.argv[1]; key = open(sys.argv[2]).read().strip(); n = int(sys.argv[3])
def call(method, path, body=None):
    req = urllib.request.Request(url + path, method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req, timeout=600).read() or b"{}")
def wait(task):
    while True:
        t = call("GET", "/tasks/%d" % task)
        if t["status"] in ("succeeded", "failed", "canceled"):
            assert t["status"] == "succeeded", t
            return
        time.sleep(0.5)
wait(call("POST", "/indexes", {"uid": "bench", "primaryKey": "id"})["taskUid"])
rnd = random.Random(7)
words = ["alpha","bravo","charlie","delta","echo","foxtrot","golf","hotel","india","juliet","kilo","lima"]
tasks = []
for start in range(0, n, 10000):
    docs = [{"id": i, "title": " ".join(rnd.choice(words) for _ in range(4)),
             "overview": " ".join(rnd.choice(words) for _ in range(30)), "year": 1950 + i % 70,
             "rating": round(rnd.random() * 10, 2), "genres": [rnd.choice(words), rnd.choice(words)]}
            for i in range(start, min(n, start + 10000))]
    tasks.append(call("POST", "/indexes/bench/documents", docs)["taskUid"])
for t in tasks:
    wait(t)
print("loaded", n)
