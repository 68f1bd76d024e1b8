# A morning at a village clinic, played with the telederm CLI against a
# running stack: four cases are submitted (the dangerous one not first), the
# specialist queue is printed with the high-risk case at the top, a
# dermatologist claims and reports it, and the clinic receives the report.
# deploy/demo.sh plays it on loopback, deploy/container-check.sh against the
# containers. Sourced, with these set:
#   cli=(...)      the command that runs the CLI, TLS settings included
#   images=DIR     tests/data/cases as that command sees it
#   token_keys=F   the services' token key ring as that command sees it
# It leaves clinic_token and dr_token set, and stops (set -e) with the
# step's message when a step fails.
issue() { "${cli[@]}" admin issue-token --keys "$token_keys" "$@" 2>/dev/null; }
flow_failed() { echo "demo flow: $*" >&2; return 1; }
echo "== signed bearer tokens for the clinic's tablet, the dermatologist and an operator"
clinic_token=$(issue --role clinic --subject tablet-kr03 --clinic clinic-kisumu-rural-03 --ttl 2h)
dr_token=$(issue --role specialist --subject dr-achieng --pools general --ttl 2h)
admin_token=$(issue --role admin --subject ops-demo --ttl 1h)
[ -n "$clinic_token" ] && [ -n "$dr_token" ] && [ -n "$admin_token" ] || flow_failed "issuing tokens failed"
clinic=(--clinic clinic-kisumu-rural-03 --auth-token "$clinic_token")
dr=(--specialist dr-achieng --auth-token "$dr_token")
submit() {
  local id
  id=$("${cli[@]}" "${clinic[@]}" submit "$@" | awk '/^submitted /{print $2}')
  [ -n "$id" ] || flow_failed "the clinic's submission was not acknowledged"
  echo "$id"
}

echo "== the clinic submits four cases"
c1=$(submit --type tumour --patient KR03-0117 --age 29 --sex male --fitzpatrick 4 --site forearm \
  --diameter-mm 4 --duration-days 900 --question "Long-standing mole, patient worried. Benign?" --consent \
  --image "$images/ISIC_0024311.jpg:dermoscopy")
echo "   $c1  mole on the forearm, nothing worrying on the form"
c2=$(submit --type acne --acne-grade 2 --patient KR03-0118 --age 17 --sex female --site face \
  --question "Acne not settling with benzoyl peroxide. Next step?" --consent \
  --image "$images/ISIC_0027001.jpg:clinical-close-up")
echo "   $c2  acne, grade 2"
c3=$(submit --type tumour --patient KR03-0119 --age 34 --sex female --fitzpatrick 3 --site back \
  --diameter-mm 5 --duration-days 400 --question "Pigmented lesion noticed by her partner. Benign?" --consent \
  --image "$images/ISIC_0025248.jpg:dermoscopy")
echo "   $c3  lesion on the back, quiet form; its dermoscopy image is what is worrying"
c4=$(submit --type tumour --patient KR03-0120 --age 66 --sex male --site scalp --diameter-mm 9 \
  --evolved size,colour --symptoms bleeding --question "Scalp lesion growing and bleeding" --consent \
  --image "$images/ISIC_0027001.jpg:dermoscopy")
echo "   $c4  scalp lesion that grew, changed colour and bleeds"

echo "== waiting for pre-screening"
for _ in $(seq 100); do
  n=$("${cli[@]}" "${dr[@]}" queue | awk 'NR>1' | wc -l)
  [ "$n" -ge 4 ] && break
  sleep 0.2
done
[ "$n" -ge 4 ] || flow_failed "only $n of 4 cases reached the specialist queue within 20 s"

echo "== the dermatologist's queue (earliest due first)"
"${cli[@]}" "${dr[@]}" queue

echo "== why the top case is urgent"
queue=$("${cli[@]}" "${dr[@]}" queue)
top=$(echo "$queue" | awk 'NR==2{print $2}')
"${cli[@]}" "${dr[@]}" triage "$top"

echo "== the dermatologist claims the first case and reports"
claimed=$("${cli[@]}" "${dr[@]}" claim)
claim=$(echo "$claimed" | sed -n 1p)
echo "   $claim"
case_id=$(echo "$claim" | awk '{print $2}')
[ "$case_id" = "$top" ] || flow_failed "the claim gave $case_id, not the top of the queue $top"
token=$(echo "$claim" | sed -E 's/.*token=([0-9]+).*/\1/')
"${cli[@]}" "${dr[@]}" report "$case_id" --token "$token" \
  --diagnosis "Atypical pigmented lesion, dermoscopy suspicious for melanoma" --icd10 D48.5 \
  --management urgent-referral --interval 14 --follow-up "Excision biopsy at the district hospital"

echo "== the clinic's events for that case"
"${cli[@]}" "${clinic[@]}" watch --until-reported "$case_id" --timeout 10s | grep "$case_id"

echo "== who looked at that case (the audit trail)"
"${cli[@]}" admin audit --case "$case_id" --auth-token "$admin_token" | cut -c1-160

echo "== a call without a token is refused"
refused=$("${cli[@]}" --clinic clinic-kisumu-rural-03 cases 2>&1 || true)
echo "$refused" | head -1
echo "$refused" | grep -q UNAUTHENTICATED || flow_failed "a call without a token was not refused"
