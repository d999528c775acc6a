-- Argo CD health of a MeiliCluster (resource.customizations.health.miroir.dev_MeiliCluster).
-- Progressing while the operator has not observed the latest spec, or while a change is pending,
-- rolling out, moving shards (status.rebalance) or expanding volumes; Degraded when the operator is blocked (a refused
-- downgrade, a foreign object in the way, a failed reconcile...) or shards lost a copy; Healthy
-- when Ready.
hs = {}
local function condition(t)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == t then
      return c
    end
  end
  return nil
end
if obj.status == nil or obj.status.observedGeneration == nil
    or obj.metadata.generation ~= obj.status.observedGeneration then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe the latest spec"
  return hs
end
local ready = condition("Ready")
if ready ~= nil and ready.status == "False" and ready.reason ~= "NodesNotReady"
    and ready.reason ~= "TopologyNotPublished" then
  hs.status = "Degraded"
  hs.message = ready.reason .. ": " .. tostring(ready.message)
  return hs
end
local rebalance = obj.status.rebalance
if rebalance ~= nil and rebalance.moves ~= nil then
  hs.status = "Progressing"
  hs.message = "moving shards: " .. rebalance.moves .. " moves done"
  if rebalance.blockedBy ~= nil then
    hs.message = hs.message .. "; blocked: " .. tostring(rebalance.blockedBy)
  end
  return hs
end
for _, t in ipairs({"RollingUpdate", "Rebalancing", "VolumeExpansion"}) do
  local c = condition(t)
  if c ~= nil and c.status == "True" then
    hs.status = "Progressing"
    hs.message = t .. ": " .. tostring(c.message)
    return hs
  end
end
local degraded = condition("Degraded")
if degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = tostring(degraded.message)
  return hs
end
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = tostring(ready.message)
  return hs
end
hs.status = "Progressing"
hs.message = "phase " .. tostring(obj.status.phase)
return hs
