#pragma once
// Conversions between the Cap'n Proto contract and the domain types. Decode at
// the edge into owning domain values, then let the frame go.

#include <vector>

#include "common/auth/scope.h"
#include "common/dns/record.h"
#include "common/dns/zone.h"
#include "common/util/result.h"
#include "schema/pipeline.capnp.h"

namespace zp::schema {

RecordType toSchema(dns::RecordType t);
dns::RecordType fromSchema(RecordType t);

ErrorKind toSchema(zp::ErrorKind k);
zp::ErrorKind fromSchema(ErrorKind k);

void toSchema(const zp::Error& e, Error::Builder out);
zp::Error fromSchema(Error::Reader in);

void toSchema(const dns::RecordData& d, ValidRecord::Builder out);
dns::RecordData fromSchema(ValidRecord::Reader in);

void toSchema(const dns::Record& r, Record::Builder out);
dns::Record fromSchema(Record::Reader in);
std::vector<dns::Record> fromSchema(capnp::List<Record>::Reader list);

void toSchema(const dns::Zone& z, Zone::Builder out);
dns::Zone fromSchema(Zone::Reader in);

void toSchema(const dns::RecordInput& in, RecordInput::Builder out);
dns::RecordInput fromSchema(RecordInput::Reader in);

// Token scopes. Only call toSchema for a scope that limits something: an
// unlimited scope stays an absent pointer (old logs replay byte for byte).
void toSchema(const auth::Scope& s, TokenScope::Builder out);
auth::Scope fromSchema(TokenScope::Reader in);

}  // namespace zp::schema
